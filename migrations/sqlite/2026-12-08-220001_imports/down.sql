DROP TABLE import_reviews;
DROP TABLE import_records;
DROP TABLE import_batches;
