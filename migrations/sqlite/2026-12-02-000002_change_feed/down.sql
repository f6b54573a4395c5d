DROP TABLE change_head;
DROP TABLE changes;
