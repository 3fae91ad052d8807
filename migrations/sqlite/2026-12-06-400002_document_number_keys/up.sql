-- Document numbers are searched without the letters that start them ("24220660" finds
-- "V-24220660"): existing keys lose their leading letters when digits follow.
UPDATE documents
SET number_key = ltrim(number_key, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')
WHERE substr(ltrim(number_key, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), 1, 1) BETWEEN '0' AND '9';
