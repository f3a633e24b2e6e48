"""Collection reminders (催款提醒): which invoices are due a reminder step (`planning`), the
message text (`rendering`) and the real clients of SMTP, WeCom and DingTalk (`channels`)."""
