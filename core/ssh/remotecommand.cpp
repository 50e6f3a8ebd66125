#include "remotecommand.h"

#include <QRegularExpression>

namespace rd {

QString RemoteCommand::quote(const QString &value)
{
    static const QRegularExpression safe(QStringLiteral("^[A-Za-z0-9_./:=@%+,-]+$"));
    if (!value.isEmpty() && safe.match(value).hasMatch())
        return value;
    QString quoted = value;
    quoted.replace(u'\'', QStringLiteral("'\\''"));
    return u'\'' + quoted + u'\'';
}

} // namespace rd
