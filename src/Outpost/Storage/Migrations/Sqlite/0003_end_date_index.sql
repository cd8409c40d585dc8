-- The runtime-limit sweep asks only for servers past their end date.
CREATE INDEX servers_end_date ON servers (end_date) WHERE end_date IS NOT NULL;
