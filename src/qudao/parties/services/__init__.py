"""Every change to parties, contacts, territories and customer ownership.

Views, the API and the spreadsheet import call these functions; each runs in one transaction,
checks the actor's permission and the rules, and leaves an event on the record it changed.
"""

from qudao.parties.services.bulk import (  # noqa: F401
    CONTACT_COLUMNS,
    PARTY_COLUMNS,
    NewContact,
    insert_contacts,
    insert_parties,
    insert_party_rows,
)
from qudao.parties.services.contacts import (  # noqa: F401
    add_contact,
    archive_contact,
    update_contact,
)
from qudao.parties.services.data import (  # noqa: F401
    CODE_KEYS,
    CODE_PATTERN,
    MAX_TERRITORY_DEPTH,
    ContactData,
    PartyData,
    PossibleDuplicate,
)
from qudao.parties.services.ownership import (  # noqa: F401
    reassign_customers,
)
from qudao.parties.services.parties import (  # noqa: F401
    archive_party,
    create_party,
    restore_party,
    update_party,
)
from qudao.parties.services.territories import (  # noqa: F401
    archive_territory,
    create_territory,
    update_territory,
)
