/* Hostile lab: does not compile. Expect BUILD with the compiler's messages. */
int main(void)
{
    return undeclared_variable;
}
