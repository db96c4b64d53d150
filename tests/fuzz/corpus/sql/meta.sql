\set ON_ERROR_STOP on
\echo loading
SELECT 1;
\i other.sql
