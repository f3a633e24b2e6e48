"""Sales pages: orders, deliveries, settings, and the customer's confirmation link."""
