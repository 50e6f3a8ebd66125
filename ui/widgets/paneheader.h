#pragma once

#include <QWidget>

namespace rd {

// The title and the line under it at the top of each pane of the main window.
class PaneHeader : public QWidget
{
    Q_OBJECT

public:
    PaneHeader(const QString &title, const QString &subtitle, QWidget *parent = nullptr);
};

} // namespace rd
