from qudao.cli import main

main()
