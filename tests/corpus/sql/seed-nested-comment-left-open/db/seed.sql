INSERT INTO items VALUES (1, 'one');
/* outer /* inner */ still in the outer comment
INSERT INTO items VALUES (3, 'x');
