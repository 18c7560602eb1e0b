"""Tests written as an attacker would: one module per area, each case a test."""
