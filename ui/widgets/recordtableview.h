#pragma once

#include <QTableView>

namespace rd {

// A read-only table of records (tasks, servers): whole rows selected, one line per row at a fixed
// height so thousands of rows stay fast, no grid, columns sized in characters.
class RecordTableView : public QTableView
{
    Q_OBJECT

public:
    explicit RecordTableView(const QString &objectName, QWidget *parent = nullptr);

    // Each (column, characters) pair: the column is as wide as that many digits.
    void setColumnWidths(const QList<std::pair<int, int>> &widths);
};

} // namespace rd
