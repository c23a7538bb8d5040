"""Peel: a police force's digital contact and safeguarding platform."""
