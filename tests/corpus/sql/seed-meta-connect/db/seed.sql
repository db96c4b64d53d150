INSERT INTO items VALUES (1, 'one');
\connect postgres
INSERT INTO items VALUES (2, 'two');
