"""Block Kit built from service results, one module per feature.

Built with slack_sdk's block models, which check Slack's length limits as they render.
"""

from slack_sdk.models.blocks import Block


def rendered(blocks: list[Block]) -> list[dict]:
    return [block.to_dict() for block in blocks]
