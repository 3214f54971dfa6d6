CREATE TABLE authors (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE
);

CREATE TABLE books (
  id serial PRIMARY KEY,
  author_id int NOT NULL REFERENCES authors (id),
  title text NOT NULL UNIQUE,
  year int,
  price numeric(8, 2),
  in_stock boolean NOT NULL DEFAULT true,
  tags text[] NOT NULL DEFAULT '{}',
  metadata jsonb,
  published_at timestamptz
);

CREATE INDEX books_author_id ON books (author_id);
