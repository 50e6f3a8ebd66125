#pragma once

#include <QString>

namespace rd {

// URLs may carry a password (https://user:secret@host/...): every text that may show one, an error
// of ours or of a library, a log line, passes through here first.
class CredentialRedaction
{
public:
    // Replaces the password of every scheme://user:password@ in `text` with "***".
    static QString apply(const QString &text);
};

} // namespace rd
