INSERT INTO authors (name) VALUES ('Mark Twain'), ('Jack London');

INSERT INTO books (author_id, title, year, price, in_stock, tags, metadata, published_at) VALUES
  (1, 'Adventures of Huckleberry Finn', 1884, 9.99, true, '{classic,river}', '{"pages": 366}', '1884-12-10 00:00:00+00'),
  (1, 'The Adventures of Tom Sawyer', 1876, 7.50, false, '{classic}', NULL, NULL),
  (2, 'The Call of the Wild', 1903, 5.25, true, '{dogs,yukon}', '{"pages": 232}', '1903-08-01 12:30:00+00');
