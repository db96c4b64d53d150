CREATE TABLE a (id int);
CREATE TABLE b (id int);
INSERT INTO a VALUES (1);
CREATE TABLE a (id int);
