"""Credit reports (信用报告): the public credit report and the 专用信用报告 that replaces no-violation
certificates, signed (Ed25519), numbered, rendered as HTML and PDF, and verifiable by their QR code."""
