DROP TABLE webhook_attempts;
DROP TABLE webhook_notices;
DROP TABLE webhooks;
