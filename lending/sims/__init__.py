"""SIM cards: coordinators register them and keep their plans up to date; loans take
them from stock and give them back (lending.loans.workflow). Their list, forms, writes
and spreadsheet."""
