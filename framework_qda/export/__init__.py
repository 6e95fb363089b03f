"""Exports: formatting computed results into files people hand on."""
