"""Police cases and the victim's consent to share her vault with them (issue 7)."""
