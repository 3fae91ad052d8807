DROP TABLE stat_fact_totals;
DROP TABLE stat_crossings;
