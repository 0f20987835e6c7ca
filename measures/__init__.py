"""办理措施: the numbered sections of a reply, point by point, nested up to four levels. The
model (`models`), the tree and its conversion to and from the editor's rows (`outline`), and
the editor's row forms (`forms`). Part of the letter's data: it imports only `proposals.models`.
"""
