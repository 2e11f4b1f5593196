"""The subject registry (信用主体): organisations, individual businesses, natural persons."""
