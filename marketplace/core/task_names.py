"""The name of every Celery task, written once. The app queues tasks by name
(through the outbox, or in the beat schedule) without importing workers/;
workers/ registers each task under the same constant."""

HEALTH_PING = "health.ping"
EXPIRE_PAST_DATES = "trade.expire"
OUTBOX_RELAY = "outbox.relay"

MATCH_CATEGORY_CHANGED = "matching.category_changed"
MATCH_FULL_RUN = "matching.full_run"
MATCH_DISPATCH_RUN = "matching.dispatch_run"
MATCH_RUN_PART = "matching.run_part"
MATCH_EXPIRE = "matching.expire"

NOTIFY_SEND_EMAILS = "notifications.send_emails"
NOTIFY_SEND_WEBHOOKS = "notifications.send_webhooks"
NOTIFY_DELIVER_WEBHOOK = "notifications.deliver_webhook"
NOTIFY_MODERATION_SUMMARY = "notifications.moderation_summary"
NOTIFY_DIGEST = "notifications.digest"
NOTIFY_SWEEP = "notifications.sweep"

# Notification tasks have a queue of their own, so a slow mail server or
# webhook receiver never delays matching.
NOTIFICATIONS_QUEUE = "notifications"
