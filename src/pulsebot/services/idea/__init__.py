"""Ideas: posting, voting, lists, the status workflow and finding an anonymous author."""
