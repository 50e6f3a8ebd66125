#pragma once

#include <QList>
#include <QString>

class QMimeData;

namespace rd {

// The drag payload of servers between lists: their ids, in the order they were shown.
class ServerIdsMime
{
public:
    static QString mimeType();
    static QMimeData *create(const QList<qint64> &ids);
    static QList<qint64> read(const QMimeData *data);
};

} // namespace rd
