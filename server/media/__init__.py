"""Media for the stage and breakouts: SDP checks, ICE/TURN settings and the aiortc SFU.

Each module is a library the room socket calls; none of them knows about rooms or sockets.
"""
