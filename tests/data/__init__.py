"""Test data: databases of released schemas, and the sample sheets with the script that makes them."""
