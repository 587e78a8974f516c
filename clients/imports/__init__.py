"""Importing clients, key contacts and volumes from CSV/XLSX: preview, then all or nothing."""
