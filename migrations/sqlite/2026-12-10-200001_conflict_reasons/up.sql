-- A sync conflict keeps central's refusal as every refusal is kept for the client to render in
-- the user's language: its reason with parameters ({"reason": ..., "params": ...}, the wire
-- form of the domain's Reason) and the input field it was about. The English message stays for
-- logs and older clients.
ALTER TABLE sync_conflicts ADD COLUMN error_reason TEXT;
ALTER TABLE sync_conflicts ADD COLUMN error_field TEXT;
