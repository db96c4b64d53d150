INSERT INTO items VALUES (1, 'one');
INSERT INTO items VALUES ('two', 'x');
