#include "credentialredaction.h"

#include <QRegularExpression>

namespace rd {

QString CredentialRedaction::apply(const QString &text)
{
    if (!text.contains(QStringLiteral("://")))
        return text;
    // The user part stops at the first ':', the password at the last '@' before the path.
    static const QRegularExpression password(
        QStringLiteral("([A-Za-z][A-Za-z0-9+.-]*://[^/\\s:@]*):[^/\\s]*@"));
    QString redacted = text;
    redacted.replace(password, QStringLiteral("\\1:***@"));
    return redacted;
}

} // namespace rd
