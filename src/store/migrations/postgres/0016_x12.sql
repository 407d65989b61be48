-- 0016_x12.sql - EDI interchanges received, on PostgreSQL 15; the twin
-- of migrations/sqlite/0016_x12.sql (see it for what the table is for).
-- Differences as in 0001.
CREATE TABLE x12_interchanges (
	channel_seq BIGINT NOT NULL REFERENCES channels(seq),
	sender TEXT NOT NULL,
	control_number TEXT NOT NULL,
	received_at BIGINT NOT NULL,
	ack TEXT NOT NULL,
	PRIMARY KEY (channel_seq, sender, control_number)
);
