DROP TABLE stat_facts;
DROP TABLE stat_population;
DROP TABLE stat_contributions;
DROP TABLE stat_cursors;
