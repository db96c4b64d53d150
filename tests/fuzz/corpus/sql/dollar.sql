CREATE FUNCTION public.touch() RETURNS trigger AS $$
BEGIN
  NEW.updated_at := now(); -- a ';' inside a dollar quote
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DO $body$ BEGIN RAISE NOTICE 'x;y $$ not the end'; END $body$;
SELECT $1, a$b, $x$ ; $x$;
