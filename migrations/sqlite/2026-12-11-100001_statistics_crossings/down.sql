DROP TABLE stat_crossings;
