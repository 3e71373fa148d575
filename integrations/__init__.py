"""Adapters to the outside services the product talks to; one package per service."""
