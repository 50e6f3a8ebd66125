#pragma once

#include <QAbstractTableModel>

namespace rd {

// A table of inventory entities, each row identified by its database id.
class EntityTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    using QAbstractTableModel::QAbstractTableModel;

    virtual qint64 idAt(int row) const = 0;
    int rowOf(qint64 id) const;
};

} // namespace rd
