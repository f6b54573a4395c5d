DROP TABLE signing_keys;
DROP TABLE clients;
DROP TABLE assignments;
DROP TABLE officers;
DROP TABLE schools;
DROP TABLE boards;
