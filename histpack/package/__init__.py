"""Model rows → the files of the data package: CSV, Table Schemas, descriptor."""
