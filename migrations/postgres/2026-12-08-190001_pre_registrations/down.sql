DROP TABLE pre_registrations;
