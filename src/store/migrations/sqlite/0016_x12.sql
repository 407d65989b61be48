-- 0016_x12.sql - EDI interchanges received, on SQLite; the twin of
-- migrations/postgres/0016_x12.sql. Conventions as in 0001.
--
-- A trading partner sends an interchange again when it heard no answer,
-- with the same sender and control number (ISA06, ISA13): it is a
-- duplicate, answered with the 997 its first delivery got, and takes
-- nothing. Each interchange read through a channel is kept here with that
-- 997.
CREATE TABLE x12_interchanges (
	channel_seq INTEGER NOT NULL REFERENCES channels(seq),
	sender TEXT NOT NULL,
	control_number TEXT NOT NULL,
	received_at INTEGER NOT NULL,
	ack TEXT NOT NULL,
	PRIMARY KEY (channel_seq, sender, control_number)
) STRICT;
