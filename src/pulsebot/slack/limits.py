"""Slack's documented limits on what an app sends, written once (docs.slack.dev: Block Kit blocks,
composition objects, block elements, view objects; chat.postMessage; interactivity).

Every builder in slack/blocks/ keeps within these for any data pulsebot may hold; where a list can grow
past them it shows the first ones and says how many more there are and where to see them.
"""

# Blocks in one surface.
BLOCKS_PER_MESSAGE = 50
BLOCKS_PER_VIEW = 100  # a modal or a Home tab

# Text.
SECTION_TEXT = 3000  # a section's text, and any text object's
SECTION_FIELDS = 10
FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
MESSAGE_TEXT = 40_000  # chat.postMessage `text`: Slack cuts what is longer (msg_too_long past that)
LIST_TEXT = 3500  # a listing in one message: Slack folds longer text behind "Show more"

# Interactive elements.
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTIONS_PER_MENU = 100  # options in a static select, or in one option group
OPTION_GROUPS = 100
PLACEHOLDER_TEXT = 150
INPUT_LABEL = 2000
INPUT_HINT = 2000
ID_CHARS = 255  # action_id, block_id, callback_id, external_id

# Views.
PRIVATE_METADATA = 3000
VIEW_TITLE = 24  # a modal's title, submit and close texts

# Time.
ACK_SECONDS = 3  # Slack shows the person an error when a request is not acknowledged within this
TRIGGER_SECONDS = 3  # a trigger_id opens a modal only this long after the click that made it

# Web API rate limit tiers (docs.slack.dev, "Rate limits"): calls a minute each method allows a workspace
# at least. users.list is Tier 2, users.lookupByEmail Tier 3, users.profile.get Tier 4; pulsebot spaces
# its own calls of such a method evenly at that rate (slack/people.py), so a burst never earns a 429.
TIER_2_PER_MINUTE = 20
TIER_3_PER_MINUTE = 50
TIER_4_PER_MINUTE = 100
