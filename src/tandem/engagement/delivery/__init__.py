"""Push delivery: the one policy every push passes, the transactional outbox, the dispatcher and the channels.

Flow: a trigger (``tandem.engagement.triggers``) makes :class:`~.records.PushCandidate` records; the caller
passes them to :meth:`~.service.PushService.submit` inside the database transaction of whatever caused them;
:class:`~.policy.DeliveryPolicy` decides each one (and the decision, with its reason, is stored beside the
outbox rows); :class:`~.dispatcher.Dispatcher` later delivers the outbox through a
:class:`~.channels.base.Channel`, retrying with backoff and dead-lettering what keeps failing.
"""
