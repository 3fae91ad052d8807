-- The letters dropped from document keys cannot be told from the key alone, and keys without
-- them are still found by their full number's digits; nothing to undo.
SELECT 1;
