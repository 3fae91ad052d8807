DROP TABLE protection_cases;
