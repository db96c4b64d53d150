INSERT INTO items VALUES (1, 'one');
INSERT INTO items VALUES (2, $tag$two$tga$);
INSERT INTO items VALUES (3, 'x');
