#include "serveridsmime.h"

#include <QMimeData>

namespace rd {

QString ServerIdsMime::mimeType()
{
    return QStringLiteral("application/x-releasedesk-server-ids");
}

QMimeData *ServerIdsMime::create(const QList<qint64> &ids)
{
    QStringList parts;
    for (qint64 id : ids)
        parts.append(QString::number(id));
    auto *data = new QMimeData;
    data->setData(mimeType(), parts.join(u',').toUtf8());
    return data;
}

QList<qint64> ServerIdsMime::read(const QMimeData *data)
{
    QList<qint64> ids;
    if (!data || !data->hasFormat(mimeType()))
        return ids;
    const QString text = QString::fromUtf8(data->data(mimeType()));
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const qint64 id = part.toLongLong(&ok);
        if (ok && id > 0 && !ids.contains(id))
            ids.append(id);
    }
    return ids;
}

} // namespace rd
