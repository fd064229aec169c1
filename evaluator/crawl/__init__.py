"""Crawling: a pure frontier (scope, robots, caps) and the async engine that drives tabs."""
